// etcd, as the etcd release binary runs it (go.etcd.io/etcd/server/v3/main.go).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
