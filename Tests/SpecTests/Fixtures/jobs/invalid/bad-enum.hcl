job "api" {
  type = "sysbatch"

  group "api" {
    restart {
      mode = "fial"
    }

    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }
    }
  }
}
