job "web" {
  datacenters = ["dc1"]

  group "web" {
    count = 2

    network {
      mode = "bridge"

      port "http" {
        to = 8080
      }
    }

    service {
      name = "web"
      port = "8080"
      tags = ["frontend"]

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "payments"
              local_bind_port  = 9091
            }

            config {
              protocol           = "http"
              connect_timeout_ms = 5000
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

      env {
        PAYMENTS_ADDR = "http://${NOMAD_UPSTREAM_ADDR_payments}"
      }
    }
  }
}
