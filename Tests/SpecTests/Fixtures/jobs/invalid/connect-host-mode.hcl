job "web" {
  group "web" {
    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name = "web"
      port = "http"

      connect {
        sidecar_service {}
      }
    }

    task "web" {
      driver = "exec"
      config {
        command = "/bin/web"
      }
    }
  }
}
