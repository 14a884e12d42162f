job "api" {
  group "api" {
    network {
      port "http" {}
    }

    service {
      port = "web"

      check {
        type     = "http"
        path     = "/health"
        port     = "healthz"
        interval = "10s"
        timeout  = "1s"
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
