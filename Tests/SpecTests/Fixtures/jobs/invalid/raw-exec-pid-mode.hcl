job "api" {
  group "api" {
    task "api" {
      driver = "raw_exec"
      config {
        command  = "/bin/api"
        pid_mode = "host"
      }
    }
  }
}
