job "api" {
  group "api" {
    network {
      port "http" {
        static = 8080
      }
      port "alt" {
        static = 8080
      }
    }

    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }
    }
  }
}
