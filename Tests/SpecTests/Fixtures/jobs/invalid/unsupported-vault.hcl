job "api" {
  group "api" {
    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }

      vault {
        policies = ["api"]
      }
    }
  }
}
