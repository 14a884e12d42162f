job "api" {
  group "api" {
    network {
      mode = "bridge"
      port "http" {}
    }

    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }

      service {
        port = "http"

        connect {
          sidecar_service {}
        }
      }
    }
  }
}
