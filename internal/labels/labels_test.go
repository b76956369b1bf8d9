package labels

import "testing"

func TestEncodeIsStableAndSensitive(t *testing.T) {
	a := map[string]any{"driver": "bridge", "labels": map[string]string{"b": "2", "a": "1"}}
	b := map[string]any{"labels": map[string]string{"a": "1", "b": "2"}, "driver": "bridge"}
	_, da, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	_, db, _ := Encode(b)
	if da != db {
		t.Errorf("digests of equal settings differ: %s and %s", da, db)
	}
	_, dc, _ := Encode(map[string]any{"driver": "macvlan"})
	if dc == da {
		t.Error("digests of different settings are equal")
	}
}

func TestOwnedAddsOwnershipAndKeepsUserLabels(t *testing.T) {
	got, err := Owned(KindNetwork, "app", map[string]string{"team": "web"}, map[string]string{"x": "y"})
	if err != nil {
		t.Fatal(err)
	}
	if !Owner(got, KindNetwork, "app") || Owner(got, KindVolume, "app") || Owner(got, KindNetwork, "db") {
		t.Errorf("Owner gives wrong answers for %v", got)
	}
	if got[Settings] != `{"x":"y"}` || got[Spec] == "" {
		t.Errorf("settings label %q, spec label %q", got[Settings], got[Spec])
	}
	user := User(got)
	if len(user) != 1 || user["team"] != "web" {
		t.Errorf("User(%v) = %v, want only team=web", got, user)
	}
	if r := Reserved(map[string]string{"dockerfleet.x": "1", "team": "a"}); len(r) != 1 {
		t.Errorf("Reserved = %v, want [dockerfleet.x]", r)
	}
}
