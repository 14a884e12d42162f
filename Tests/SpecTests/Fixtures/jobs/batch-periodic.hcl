job "nightly-report" {
  datacenters = ["dc1"]
  type        = "batch"

  periodic {
    cron             = "0 3 * * *"
    prohibit_overlap = true
    time_zone        = "Europe/Berlin"
  }

  group "report" {
    task "report" {
      driver = "raw_exec"

      config {
        command = "/opt/report/run.sh"
      }

      kill_timeout = "30s"
    }
  }
}
