job "db" {
  group "db" {
    volume "data" {
      type   = "csi"
      source = "ebs-data"
    }

    task "db" {
      driver = "exec"
      config {
        command = "/bin/db"
      }
    }
  }
}
