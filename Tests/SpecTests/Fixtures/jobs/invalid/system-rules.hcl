job "agent" {
  type = "system"

  group "agent" {
    count = 3

    reschedule {
      attempts = 2
    }

    task "agent" {
      driver = "raw_exec"
      config {
        command = "/bin/agent"
      }
    }
  }
}
