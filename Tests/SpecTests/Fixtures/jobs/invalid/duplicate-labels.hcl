job "dup" {
  group "api" {
    network {
      port "http" {}
      port "http" {}
    }
    volume "data" {
      type   = "host"
      source = "data"
    }
    volume "data" {
      type   = "host"
      source = "other"
    }
    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }
    }
  }
}
