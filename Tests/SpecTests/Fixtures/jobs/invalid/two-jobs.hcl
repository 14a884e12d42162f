job "one" {
  group "one" {
    task "one" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}

job "two" {
  group "two" {
    task "two" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
