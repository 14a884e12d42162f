job "node-exporter" {
  datacenters = ["*"]
  type        = "system"
  priority    = 80

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  update {
    max_parallel = 2
    stagger      = "15s"
  }

  group "exporter" {
    network {
      port "metrics" {
        static = 9100
      }
    }

    task "exporter" {
      driver = "raw_exec"

      config {
        command = "/usr/local/bin/node_exporter"
        args    = ["--web.listen-address=:9100"]
      }

      service {
        port = "metrics"
        tags = ["metrics"]

        check {
          type     = "http"
          path     = "/metrics"
          interval = "30s"
          timeout  = "5s"
        }
      }
    }
  }
}
