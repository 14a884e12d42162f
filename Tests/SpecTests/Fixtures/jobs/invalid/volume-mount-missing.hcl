job "db" {
  group "db" {
    volume "data" {
      type   = "host"
      source = "pg-data"
    }

    task "postgres" {
      driver = "exec"
      config {
        command = "/usr/bin/postgres"
      }

      volume_mount {
        volume      = "pgdata"
        destination = "/var/lib/postgresql"
      }
    }
  }
}
