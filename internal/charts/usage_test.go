package charts

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStackedMarksSitOnTheStack(t *testing.T) {
	raw, err := Stacked([]string{"d1", "d2"}, []Series{{"A", []float64{1, 2}}, {"B", []float64{3, 4}}}, false, []Mark{{Series: 1, Bucket: 1, Label: "+300%"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Series []struct {
			Type      string
			Stack     string
			MarkPoint struct {
				Data []struct {
					Coord []any
					Value string
				}
			}
		}
		XAxis []struct{ Data []string }
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Series) != 2 || o.Series[1].Stack != "total" || len(o.XAxis) == 0 || len(o.XAxis[0].Data) != 2 {
		t.Fatalf("options %s", raw)
	}
	mp := o.Series[1].MarkPoint.Data
	if len(mp) != 1 || mp[0].Coord[0] != "d2" || mp[0].Coord[1] != 6.0 || mp[0].Value != "+300%" {
		t.Errorf("mark %+v", mp)
	}
}

func TestChartsEscapeNothingIntoScript(t *testing.T) {
	name := `</script><img src=x onerror=alert(1)>`
	for _, f := range []func() (json.RawMessage, error){
		func() (json.RawMessage, error) { return HBars([]string{name}, []float64{1}) },
		func() (json.RawMessage, error) { return Share([]string{name}, []float64{1}) },
		func() (json.RawMessage, error) { return Heat([]string{"d"}, []string{name}, [][]float64{{1}}) },
		func() (json.RawMessage, error) {
			return Cumulative([]string{"1"}, []float64{1}, []float64{1}, 5, "Budget 5.00 USD", 0, "over")
		},
	} {
		raw, err := f()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "<") || !json.Valid(raw) {
			t.Errorf("options not plain escaped JSON: %s", raw)
		}
	}
}
