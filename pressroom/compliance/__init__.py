"""Compliance checks on the exact content of a bundle. Rule ids are stable:

First rules (rules.py)
* L1 channel-length   a post longer than the network allows                       blocker
* L2 hashtag-count    more hashtags than the channel allows                         blocker
* L3 link-policy      a URL in a post where links are not clickable                warning
* R1 ai-disclosure    the brand's AI-disclosure label is missing (EU AI Act 50)    blocker
* R2 platform-flag    the platform's AI-content API flag is not set (is_aigc...)   blocker
* A1 image-alt-text   a card image without alt text                                warning
* S1 banned-term      a term the brand has banned                                  blocker
* G3 contact-data     an e-mail address or phone number: absent from the source    blocker
                      / copied from it                                             warning
* E1, E2              an empty post / a post with almost nothing in it   blocker / warning
* X1 bundle-integrity the structured posts and the readable digest disagree        blocker
GDPR (gdpr.py, Presidio + spaCy small models): G3 also for IBAN, card, NIR, SIRET/SIREN and
  postal addresses; G1/G2/G4 apply to prompts before a remote call (`check_prompt`,
  `assert_minimised`).
Grounding (grounding.py): H1 a number or date not in the source, H2 a quotation not verbatim
  (altered vs fabricated), H3 a legal citation not in the source, H4 a person or organisation
  the source does not name — blockers; H5 weak lexical support — warning.
Judge (judge.py, only with a remote text provider): J1 a claim the model finds unsupported,
  kept only when its quoted evidence is verbatim in the source — warning; J0 the judge's status.
Copyright (copyright.py): C1 long unquoted copying (≥ 25 words or 8-gram containment) — blocker,
  12–24 words — warning; C2 quotations short and attributed. Licences (licences.py): C3 a media
  file without a licence record, or whose terms forbid the channel's use — blocker.
Provenance (provenance.py): R5 a generated media file without valid C2PA content credentials
  declaring it AI-made — blocker.
Bias and brand safety (bias.py): B1 gender-coded wording (EN job ads), B2 French discriminatory
  hiring criteria (blocker), B3 French job titles without an inclusive form, B4 profanity;
  S2 competitor names, S3 claims that need substantiation.
Hostile content (hostile.py): I1 hidden text and invisible characters removed from the source
  (info, shown to the reviewer), I2 text aimed at models in the source (quarantines the run),
  I3 links and @handles absent from the source and the brand's allow-lists, I4 model markers or
  chat-template tokens in a post (blockers).
Video (video.py): the narration through the text rules, R1/R2 for the video, L4 a video longer
  than a channel takes (blocker), H0 no source to ground it in (info). Voice-over (voiceover.py):
  the narration through the text and grounding rules, R1 for the label and the spoken
  disclosure. What both share is in narration.py.

A brand, and a channel for its own posts, may change a rule's severity (`rule_severity` in their
configs); the change is stated in the finding's message. A blocker stands unless a reviewer whose
role allows it waives it (configs/reviewers.yaml).
"""

from pressroom.compliance.base import BundleContent, PostContent
from pressroom.compliance.suite import check_bundle

__all__ = ["BundleContent", "PostContent", "check_bundle"]
