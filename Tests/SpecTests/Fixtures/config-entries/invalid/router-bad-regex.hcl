Kind = "service-router"
Name = "web"
Routes = [
  {
    Match {
      HTTP {
        PathRegex = "/api/([a-z]+"
        Header = [
          { Name = "x-version", Regex = "v[0-9" },
        ]
      }
    }
    Destination { Service = "api" }
  },
]
