job "api" {
  group "api" {
    network {
      port "http" {
        static = "70000"
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
