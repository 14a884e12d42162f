job "api" {
  group "api" {
    task "api" {
      config {
        command = "/bin/api"
      }
    }
  }
}
