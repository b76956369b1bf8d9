package ipam

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		ipv6  bool
		field string
		want  string
	}{
		{name: "ipv4 ok", cfg: Config{Subnet: "10.1.0.0/24", IPRange: "10.1.0.128/25",
			Gateway: "10.1.0.1", AuxAddresses: map[string]string{"a": "10.1.0.5"}}},
		{name: "ipv6 ok", ipv6: true, cfg: Config{Subnet: "FD00:0:0:1::/64", Gateway: "fd00:0:0:1::1"}},
		{name: "not a cidr", cfg: Config{Subnet: "10.1.0.0"}, field: "subnet", want: "is not a CIDR"},
		{name: "host bits", cfg: Config{Subnet: "10.1.0.7/24"}, field: "subnet", want: "10.1.0.0/24"},
		{name: "ipv6 without flag", cfg: Config{Subnet: "fd00::/64"}, field: "subnet",
			want: "set ipv6 = true"},
		{name: "gateway outside", cfg: Config{Subnet: "10.1.0.0/24", Gateway: "10.2.0.1"},
			field: "gateway", want: "outside subnet 10.1.0.0/24"},
		{name: "gateway not an address", cfg: Config{Subnet: "10.1.0.0/24", Gateway: "gw"},
			field: "gateway", want: "is not an IP address"},
		{name: "gateway other family", ipv6: true, cfg: Config{Subnet: "fd00::/64",
			Gateway: "10.0.0.1"}, field: "gateway", want: "outside subnet"},
		{name: "range wider", cfg: Config{Subnet: "10.1.0.0/24", IPRange: "10.1.0.0/16"},
			field: "ip_range", want: "not inside subnet"},
		{name: "range elsewhere", cfg: Config{Subnet: "10.1.0.0/24", IPRange: "10.9.0.0/25"},
			field: "ip_range", want: "not inside subnet"},
		{name: "aux outside", cfg: Config{Subnet: "10.1.0.0/24",
			AuxAddresses: map[string]string{"router": "10.1.1.1"}}, field: "aux_addresses",
			want: `auxiliary address router "10.1.1.1" is outside`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Check(tt.cfg, tt.ipv6)
			if tt.want == "" {
				if len(problems) > 0 {
					t.Fatalf("Check(%+v) = %+v, want no problems", tt.cfg, problems)
				}
				return
			}
			if len(problems) != 1 {
				t.Fatalf("Check(%+v) = %+v, want one problem", tt.cfg, problems)
			}
			if problems[0].Field != tt.field || !strings.Contains(problems[0].Message, tt.want) {
				t.Errorf("problem = %+v, want field %s and a message containing %q",
					problems[0], tt.field, tt.want)
			}
		})
	}
}

func TestEqualIgnoresOrderAndSpelling(t *testing.T) {
	written := []Config{
		{Subnet: "FD00:0:0:10::/64", Gateway: "fd00:0:0:10:0:0:0:1",
			AuxAddresses: map[string]string{"r": "FD00:0:0:10::5"}},
		{Subnet: "10.20.0.0/24", Gateway: "10.20.0.1"},
	}
	daemon := []Config{
		{Subnet: "10.20.0.0/24", Gateway: "10.20.0.1"},
		{Subnet: "fd00:0:0:10::/64", Gateway: "fd00:0:0:10::1",
			AuxAddresses: map[string]string{"r": "fd00:0:0:10::5"}},
	}
	if !Equal(written, daemon) {
		t.Errorf("Equal(%+v, %+v) = false, want true", written, daemon)
	}

	changed := append([]Config{}, daemon...)
	changed[0].Gateway = "10.20.0.2"
	if Equal(written, changed) {
		t.Error("Equal with a changed gateway = true, want false")
	}
	if Equal(written, daemon[:1]) {
		t.Error("Equal with a missing subnet = true, want false")
	}
	aux := append([]Config{}, daemon...)
	aux[1].AuxAddresses = map[string]string{"other": "fd00:0:0:10::5"}
	if Equal(written, aux) {
		t.Error("Equal with a renamed auxiliary address = true, want false")
	}
}

func TestCanonicalSortsAndKeepsUnparsable(t *testing.T) {
	got := Canonical([]Config{{Subnet: "fd00::0/64"}, {Subnet: "10.0.0.0/8"}, {Subnet: "bad"}})
	want := []string{"10.0.0.0/8", "bad", "fd00::/64"}
	for i, c := range got {
		if c.Subnet != want[i] {
			t.Fatalf("Canonical subnets = %+v, want %v", got, want)
		}
	}
}
