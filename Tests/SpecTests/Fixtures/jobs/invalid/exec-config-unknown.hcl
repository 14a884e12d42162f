job "api" {
  group "api" {
    task "api" {
      driver = "exec"
      config {
        comand = "/bin/api"
        args   = "--verbose"
      }
    }
  }
}
