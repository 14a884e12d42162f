job "api" {
  group "api" {
    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }

      resources {
        cpu = 200
        network {
          port "http" {}
        }
      }
    }
  }
}
