client {
  enabled = true
  host_volume "mysql" {
    path = "opt/mysql/data"
  }
  host_volume "logs" {
    read_only = true
  }
}
