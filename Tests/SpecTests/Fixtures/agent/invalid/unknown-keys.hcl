datacentre = "dc1"
server {
  enabled = true
  bootstrap = true
}
client {
  host_volume "mysql" {
    path     = "/opt/mysql/data"
    readonly = true
  }
}
