job "api" {
  priority = 150

  group "api" {
    count = -1

    affinity {
      attribute = "${node.class}"
      value     = "large"
      weight    = 0
    }

    constraint {
      attribute = "${attr.kernel.name}"
      operator  = "like"
      value     = "linux"
    }

    task "api" {
      driver = "exec"
      config {
        command = "/bin/api"
      }
    }
  }
}
