Kind = "service-router"
Name = "web"
Routes = [
  {
    Match {
      HTTP {
        PathPrefix = "/"
        Header = [
          { Name = "x-debug" },
          { Name = "x-user", Exact = "alice", Prefix = "al" },
        ]
        QueryParam = [
          { Name = "beta", Present = true, Exact = "1" },
        ]
      }
    }
    Destination { Service = "debug" }
  },
]
