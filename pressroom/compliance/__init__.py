"""Compliance checks on the exact content of a bundle. Each rule has a stable id:

* L1 channel-length   a post longer than the network allows                     blocker
* L2 hashtag-count    more hashtags than the channel allows                       blocker
* L3 link-policy      a URL in a post where links are not clickable              warning
* R1 ai-disclosure    the brand's AI-disclosure label is missing (EU AI Act 50)  blocker
* A1 image-alt-text   a card image without alt text                              warning
* S1 banned-term      a term the brand has banned                                blocker
* G3 contact-data     an e-mail address or phone number in a post:               blocker when
                      absent from the source, warning when copied from it
* E1 empty-post       a post with no text                                        blocker
* E2 short-post       a post with almost nothing besides its frame               warning
* X1 bundle-integrity the structured posts and the readable digest disagree      blocker
"""

from pressroom.compliance.base import BundleContent, PostContent
from pressroom.compliance.suite import check_bundle

__all__ = ["BundleContent", "PostContent", "check_bundle"]
