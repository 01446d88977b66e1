package discord

import (
	"encoding/json"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// componentLabel is the type of Discord's Label component, which
// discordgo v0.29.0 does not know.
const componentLabel discordgo.ComponentType = 18

// label is a Label component: a label, and an optional description, above
// one modal input. It replaces the deprecated label of a text input in an
// action row.
type label struct {
	Label       string
	Description string
	Component   discordgo.MessageComponent
}

// Type is the Label component's type.
func (label) Type() discordgo.ComponentType { return componentLabel }

// MarshalJSON writes the component as Discord takes it.
func (l label) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type        discordgo.ComponentType    `json:"type"`
		Label       string                     `json:"label"`
		Description string                     `json:"description,omitempty"`
		Component   discordgo.MessageComponent `json:"component"`
	}{componentLabel, l.Label, l.Description, l.Component})
}

// textInput is a text input inside a Label, which holds its label: unlike
// discordgo.TextInput it sends none.
type textInput struct {
	CustomID  string
	Style     discordgo.TextInputStyle
	Required  bool
	MinLength int
	MaxLength int
}

// Type is the text input's type.
func (textInput) Type() discordgo.ComponentType { return discordgo.TextInputComponent }

// MarshalJSON writes the input as Discord takes it.
func (t textInput) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type      discordgo.ComponentType  `json:"type"`
		CustomID  string                   `json:"custom_id"`
		Style     discordgo.TextInputStyle `json:"style"`
		Required  bool                     `json:"required"`
		MinLength int                      `json:"min_length,omitempty"`
		MaxLength int                      `json:"max_length,omitempty"`
	}{discordgo.TextInputComponent, t.CustomID, t.Style, t.Required, t.MinLength, t.MaxLength})
}

// decodeModalSubmit reads a modal submit's data, whose Label components
// discordgo v0.29.0 cannot decode: each Label becomes a label holding the
// decoded input (a *discordgo.TextInput carrying its value).
func decodeModalSubmit(raw json.RawMessage) (discordgo.ModalSubmitInteractionData, error) {
	var d struct {
		CustomID   string            `json:"custom_id"`
		Components []json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return discordgo.ModalSubmitInteractionData{}, err
	}
	out := discordgo.ModalSubmitInteractionData{CustomID: d.CustomID}
	for _, rc := range d.Components {
		var l struct {
			Type      discordgo.ComponentType `json:"type"`
			Component json.RawMessage         `json:"component"`
		}
		if err := json.Unmarshal(rc, &l); err != nil {
			return discordgo.ModalSubmitInteractionData{}, err
		}
		if l.Type != componentLabel {
			c, err := discordgo.MessageComponentFromJSON(rc)
			if err != nil {
				return discordgo.ModalSubmitInteractionData{}, err
			}
			out.Components = append(out.Components, c)
			continue
		}
		if len(l.Component) == 0 {
			return discordgo.ModalSubmitInteractionData{}, fmt.Errorf("label without component")
		}
		c, err := discordgo.MessageComponentFromJSON(l.Component)
		if err != nil {
			return discordgo.ModalSubmitInteractionData{}, err
		}
		out.Components = append(out.Components, label{Component: c})
	}
	return out, nil
}

// onRawInteraction hands on a modal submit that discordgo could not decode
// (its Label components), decoded from the gateway event's raw data. With
// SyncEvents, it runs after onInteraction, which leaves such a submit to it.
func (a *Adapter) onRawInteraction(_ *discordgo.Session, e *discordgo.Event) {
	ic, ok := e.Struct.(*discordgo.InteractionCreate)
	if e.Type != "INTERACTION_CREATE" || !ok || ic.Interaction == nil || ic.Type != discordgo.InteractionModalSubmit || ic.Data != nil {
		return
	}
	var ev struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(e.RawData, &ev); err != nil {
		a.log.Warn("interaction without readable data", "interaction", ic.ID, "type", ic.Type.String())
		return
	}
	data, err := decodeModalSubmit(ev.Data)
	if err != nil {
		a.log.Warn("interaction without readable data", "interaction", ic.ID, "type", ic.Type.String())
		return
	}
	i := *ic.Interaction
	i.Data = data
	a.onInteraction(nil, &discordgo.InteractionCreate{Interaction: &i})
}
