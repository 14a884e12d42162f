job "shop" {
  type     = "service"
  priority = "high"

  periodic {
    cron = "@daily"
  }

  group "web" {
    count = 2
    colour = "blue"

    network {
      port "http" {
        static = 0
      }
    }

    service {
      port = "https"
    }

    task "web" {
      config {
        command = "/bin/web"
      }

      kill_timeout = "soon"

      volume_mount {
        volume      = "assets"
        destination = "/srv"
      }
    }

    task "web" {
      driver = "raw_exec"
      config {
        command = "/bin/web"
        user    = "nobody"
      }
    }
  }

  group "web" {
    task "worker" {
      driver = "exec"
      config {
        command = "/bin/worker"
      }
    }
  }
}
