server {
  enabled          = true
  bootstrap_expect = 10
}
