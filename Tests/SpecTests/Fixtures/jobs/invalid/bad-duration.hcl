job "api" {
  group "api" {
    network {
      port "http" {}
    }

    service {
      port = "http"

      check {
        type     = "tcp"
        interval = "10x"
        timeout  = "2s"
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
