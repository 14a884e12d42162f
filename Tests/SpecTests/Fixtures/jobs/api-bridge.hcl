job "api" {
  datacenters = ["dc1"]

  group "api" {
    network {
      mode = "bridge"

      port "http" {
        static = "9090"
        to     = "9090"
      }
    }

    service {
      name = "api"
      port = "9090"
    }

    task "api" {
      driver = "exec"

      config {
        command = "/usr/local/bin/api-server"
        args    = ["-listen", ":9090"]
      }
    }
  }
}
