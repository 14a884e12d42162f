job "pair" {
  datacenters = ["dc1", "dc2"]

  group "pair" {
    network {
      mode = "bridge"
      port "http" {}
    }

    task "server" {
      driver = "exec"

      config {
        command  = "/usr/bin/python3"
        args     = ["-m", "http.server", "${NOMAD_PORT_http}"]
        pid_mode = "private"
      }
    }

    task "watcher" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "while true; do date; sleep 5; done"]
      }

      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
