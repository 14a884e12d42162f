job "api" {
  group "api" {
    cont = 3

    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }
    }
  }
}
