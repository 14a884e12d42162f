job "api" {
  task "api" {
    driver = "exec"
    config {
      command = "/bin/api"
    }
  }
}
