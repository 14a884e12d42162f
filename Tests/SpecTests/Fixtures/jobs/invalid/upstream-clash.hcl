job "web" {
  group "web" {
    network {
      mode = "bridge"
      port "http" {
        static = 9091
      }
    }

    service {
      name = "web"
      port = "http"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "payments"
              local_bind_port  = 9091
            }
          }
        }
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
