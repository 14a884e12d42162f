Kind = "service-router"
Name = "web"
Routes = [
  {
    Match { HTTP { PathPrefix = "admin" } }
    Destination { Service = "admin" }
  },
  {
    Match { HTTP { PathExact = "login" } }
    Destination { Service = "auth" }
  },
]
