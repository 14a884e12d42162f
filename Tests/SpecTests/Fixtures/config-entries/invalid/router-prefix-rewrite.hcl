Kind = "service-router"
Name = "web"
Routes = [
  {
    Match { HTTP { PathRegex = "^/v[0-9]+/" } }
    Destination {
      Service       = "api"
      PrefixRewrite = "/"
    }
  },
]
