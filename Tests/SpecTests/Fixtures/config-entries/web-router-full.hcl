Kind      = "service-router"
Name      = "web"
Namespace = "default"
Meta = {
  owner = "platform"
}
Routes = [
  {
    Match {
      HTTP {
        PathExact = "/login"
        Methods   = ["POST"]
        Header = [
          { Name = "x-debug", Exact = "1", Invert = true },
          { Name = "user-agent", Regex = "^curl/.*" },
        ]
        QueryParam = [
          { Name = "beta", Present = true },
        ]
      }
    }
    Destination {
      Service               = "auth"
      ServiceSubset         = "v2"
      Namespace             = "default"
      PrefixRewrite         = "/session"
      RequestTimeout        = "3s"
      NumRetries            = 2
      RetryOnConnectFailure = true
      RetryOnStatusCodes    = [503, 504]
    }
  },
  {
    Match { HTTP { PathRegex = "^/v[0-9]+/.*" } }
    Destination { Service = "api" }
  },
]
