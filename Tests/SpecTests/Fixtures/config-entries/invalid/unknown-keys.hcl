Kind = "service-router"
Name = "web"
Partition = "default"
Routes = [
  {
    Match { HTTP { path_prefix = "/admin", PathSuffix = "/edit" } }
    Destination {
      Service     = "admin"
      idle_timeout = "5s"
    }
  },
]
