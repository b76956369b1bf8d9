package placement

import (
	"fmt"
	"testing"
)

// BenchmarkAssign measures a first plan (no prior) and a plan with nothing to
// change (prior equal to the result), which is what every refresh costs.
func BenchmarkAssign(b *testing.B) {
	for _, size := range []struct{ replicas, hosts int }{{60, 3}, {600, 30}} {
		req := Request{Service: "web", Replicas: size.replicas, SpreadBy: "zone",
			PortRange: &PortRange{First: 10000, Last: 10000 + size.replicas}}
		for i := 0; i < size.hosts; i++ {
			req.Hosts = append(req.Hosts, Host{Name: fmt.Sprintf("h%02d", i),
				Labels: map[string]string{"zone": fmt.Sprintf("z%d", i%3)}})
		}

		b.Run(fmt.Sprintf("%d_over_%d/fresh", size.replicas, size.hosts), func(b *testing.B) {
			for b.Loop() {
				if _, err := Assign(req); err != nil {
					b.Fatal(err)
				}
			}
		})

		first, err := Assign(req)
		if err != nil {
			b.Fatal(err)
		}
		steady := req
		steady.Prior = first.Replicas
		b.Run(fmt.Sprintf("%d_over_%d/steady", size.replicas, size.hosts), func(b *testing.B) {
			for b.Loop() {
				if _, err := Assign(steady); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
