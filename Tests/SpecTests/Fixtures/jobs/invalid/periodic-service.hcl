job "report" {
  periodic {
    cron = "*/15 * * * *"
  }

  group "report" {
    task "report" {
      driver = "raw_exec"
      config {
        command = "/bin/report"
      }
    }
  }
}
