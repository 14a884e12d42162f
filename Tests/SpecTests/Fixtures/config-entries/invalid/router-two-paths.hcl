Kind = "service-router"
Name = "web"
Routes = [
  {
    Match {
      HTTP {
        PathExact  = "/admin"
        PathPrefix = "/admin/"
      }
    }
    Destination { Service = "admin" }
  },
]
