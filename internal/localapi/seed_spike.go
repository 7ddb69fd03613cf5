// seed_spike.go gives the demo company one anomaly with its cause: an
// account's CDN data transfer jumps five-fold on one day, the evening
// after someone purged its zone's whole cache (every object was fetched
// again, and served again). The usage page then has an anomaly whose
// explanation is one a reviewer would accept.

package localapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"orgboard/internal/api"
)

// spikeMetric is the metric that jumps, spikeFactor how far.
const (
	spikeMetric = "cdn_data_transfer"
	spikeFactor = 5.0
	spikeOrg    = "Storefront"
	spikeAgo    = 9 // days before the seeding day
)

// demoSpike picks the spike's account (the first with CDN transfer of
// Storefront, else of the teams in order), records it for the usage
// generator, and writes the purge that caused it. It draws nothing from
// the seed's random numbers.
func (sd *seeder) demoSpike() error {
	if sd.scale != ScaleDefault {
		return nil
	}
	day := sd.anchor.AddDate(0, 0, -spikeAgo)
	orgs := []string{sd.orgIDs[spikeOrg]}
	for _, o := range sd.orgs { // then every team, in the seed's order
		if o.depth >= 3 {
			orgs = append(orgs, sd.orgIDs[o.name])
		}
	}
	for _, id := range accountsOf(sd.accts, orgs) {
		a := usageAccount{id: id}
		var seed int64
		if err := sd.tx.QueryRow(`SELECT COALESCE(name, ''), usage_seed FROM accounts WHERE id = ?`, id).Scan(&a.name, &seed); err != nil {
			return err
		}
		a.seed = uint64(seed)
		for _, m := range a.metrics() {
			if m.def.id != spikeMetric {
				continue
			}
			if _, err := sd.tx.Exec(`INSERT INTO meta(key, value) VALUES ('spike', ?)`, id+" "+day.Format(time.DateOnly)); err != nil {
				return err
			}
			return sd.purgeBefore(a, m, day)
		}
	}
	return fmt.Errorf("seed: no team's account has %s", spikeMetric)
}

func accountsOf(accts map[string][]string, orgs []string) []string {
	var out []string
	for _, o := range orgs {
		out = append(out, accts[o]...)
	}
	return out
}

// purgeBefore writes the cache purge of the evening before day.
func (sd *seeder) purgeBefore(a usageAccount, m accountMetric, day time.Time) error {
	admin := sd.users[0]
	var org string
	if err := sd.tx.QueryRow(`SELECT org_id FROM accounts WHERE id = ?`, a.id).Scan(&org); err != nil {
		return err
	}
	at := day.Add(-80 * time.Minute) // 22:40 UTC the day before
	e := api.AuditEntry{
		ID:           fmt.Sprintf("%032x", seedOf("spike-purge "+a.id)),
		Action:       api.AuditAction{Description: "Cache purged: everything on " + m.zone, Result: "success", Time: at, Type: "update"},
		Actor:        api.AuditActor{ID: admin.ID, Context: "dash", Email: admin.Email, IPAddress: "198.51.100.23", Type: "user"},
		Organization: api.OrganizationRef{ID: org},
		Raw: api.AuditRaw{CFRayID: fmt.Sprintf("%016x-IAD", seedOf("spike ray "+a.id)), Method: "POST", StatusCode: 200,
			URI: "/client/v4/zones/" + m.zoneID + "/purge_cache", UserAgent: userAgents[0]},
		Resource: api.AuditResource{ID: m.zoneID, Product: "cache", Type: "zone", Scope: json.RawMessage(`{"id":"` + a.id + `","type":"zones"}`),
			Request: json.RawMessage(`{"purge_everything":true}`), Response: json.RawMessage(`{"id":"` + m.zoneID + `"}`)},
	}
	_, err := sd.tx.Exec(auditInsert, auditArgs(&e)...)
	return err
}

// Spike is the seed's spike: its account and day (none: "").
func (st *Store) Spike() (string, time.Time, error) {
	v, err := st.meta("spike")
	if err != nil || v == "" {
		return "", time.Time{}, err
	}
	id, day, _ := strings.Cut(v, " ")
	d, err := time.Parse(time.DateOnly, day)
	return id, d, err
}
