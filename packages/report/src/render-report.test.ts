import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectReport } from './collect-report';
import { escapeHtml, renderReport, scriptJson } from './render-report';

describe('scriptJson', () => {
  it('never lets data end the script element, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        for (const data of [value, { text, markup: `</script><!--${text}` }]) {
          const json = scriptJson(data);
          expect(json).not.toMatch(/[<\u2028\u2029]/);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(data)));
        }
      }),
    );
  });
});

describe('escapeHtml', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;',
    );
  });
});

describe('renderReport', () => {
  const data = collectReport({ title: '<img src=x onerror=alert(1)>', sources: ['</script><b>'] });
  const html = renderReport(data);

  it('is one file that asks for nothing over the network', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(
      `content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    // d3-flame-graph and Chart.js are inlined, with their licence comments.
    expect(html).toContain('d3-flame-graph');
    expect(html).toContain('Chart.js');
  });

  it('escapes the title and embeds the data as inert JSON', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('<title>mmsim report: &#60;img src=x onerror=alert(1)&#62;</title>');
    const embedded = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(embedded)).toEqual(JSON.parse(JSON.stringify(data)));
    // Exactly the data script and the app script: nothing in the data opened or closed another.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });
});
