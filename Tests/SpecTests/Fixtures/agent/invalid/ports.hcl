ports {
  http = 70000
  rpc  = -1
  raft = "fast"
}
