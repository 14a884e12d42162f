job "api" {
  group "api" {
    count = "three"

    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }
    }
  }
}
