/* xmlutil: XML text escaping, @KEY@ template expansion (vm/domain.xml)
 * and XPath queries of what libvirt answers (libxml2, which libvirt
 * itself uses: its XML is parsed, never searched as text). */
#ifndef DUPLEX_XMLUTIL_H
#define DUPLEX_XMLUTIL_H

#include <stddef.h>

/* Escape & < > " ' for use in XML text and attribute values.  Bytes that
 * XML 1.0 cannot carry at all (control characters other than tab, LF, CR)
 * make it return NULL with an error naming the byte. */
char *xml_escape(const char *s);
/* The entity character C (a byte or code point) becomes in XML and HTML
 * text and attribute values (&amp; &lt; &gt; &quot; &#39;), or NULL when
 * it stays as it is. */
const char *xml_entity(unsigned int c);

struct template_var {
	const char *key;	/* without the @s: "NAME" for @NAME@ */
	const char *value;	/* raw; escaped by template_expand */
};

/* Replace every @KEY@ in TEMPLATE by the escaped value of KEY.  A
 * placeholder with no variable, or a variable whose value cannot be
 * escaped, is an error naming it and ORIGIN.  Returns a malloc'd string. */
char *template_expand(const char *tmpl, const char *origin,
		      const struct template_var *vars, size_t nvars);

/* Evaluate XPath EXPR, a string expression ("string(...)"), in the XML
 * document TEXT: 0 with the result in *OUT (malloc'd; "" when EXPR selects
 * nothing), or -1 when TEXT is not well-formed XML or EXPR not a string
 * expression (not reported: the caller words the error). */
int xml_xpath_string(const char *text, const char *expr, char **out);

#endif
