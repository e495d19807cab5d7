"use strict";(self.rspackChunkjupyter_awsrole=self.rspackChunkjupyter_awsrole||[]).push([[700],{646(e,r,o){var t=o(601),n=o.n(t),a=o(314),i=(o.n(a))()(n());i.push([e.id,`.jp-awsrole-item {
  cursor: pointer;
  white-space: nowrap;
  font-size: var(--jp-ui-font-size1);
  line-height: 24px;
  padding: 0 6px;
  color: var(--jp-ui-font-color1);
}

.jp-awsrole-item:hover {
  background: var(--jp-layout-color2);
}

.jp-awsrole-item.jp-awsrole-none {
  color: var(--jp-ui-font-color2);
}

.jp-awsrole-item.jp-awsrole-warning {
  color: var(--jp-warn-color0, #e65100);
  font-weight: 600;
}

.jp-awsrole-item.jp-awsrole-expired {
  color: var(--jp-error-color1, #d32f2f);
}

.jp-awsrole-dialog .jp-Dialog-content {
  min-width: 560px;
}

.jp-awsrole-switcher {
  display: flex;
  flex-direction: column;
  gap: 8px;
  min-width: 520px;
}

.jp-awsrole-list {
  max-height: 320px;
  overflow-y: auto;
  border: var(--jp-border-width) solid var(--jp-border-color1);
}

.jp-awsrole-row {
  display: flex;
  flex-direction: column;
  padding: 4px 8px;
  cursor: pointer;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.jp-awsrole-row:hover {
  background: var(--jp-layout-color2);
}

.jp-awsrole-row.jp-mod-selected {
  background: var(--jp-brand-color3);
}

.jp-awsrole-row.jp-mod-active .jp-awsrole-name::after {
  content: ' (active)';
  font-weight: normal;
  color: var(--jp-ui-font-color2);
}

.jp-awsrole-name {
  font-weight: 600;
}

.jp-awsrole-arn,
.jp-awsrole-note {
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
}

.jp-awsrole-mfa {
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-warn-color0, #e65100);
}

.jp-awsrole-codebox[hidden] {
  display: none;
}

.jp-awsrole-error {
  color: var(--jp-error-color1, #d32f2f);
  min-height: 1em;
}
`,""]),o.d(r,{},{A:i})},314(e){e.exports=function(e){var r=[];return r.toString=function(){return this.map(function(r){var o="",t=void 0!==r[5];return r[4]&&(o+="@supports (".concat(r[4],") {")),r[2]&&(o+="@media ".concat(r[2]," {")),t&&(o+="@layer".concat(r[5].length>0?" ".concat(r[5]):""," {")),o+=e(r),t&&(o+="}"),r[2]&&(o+="}"),r[4]&&(o+="}"),o}).join("")},r.i=function(e,o,t,n,a){"string"==typeof e&&(e=[[null,e,void 0]]);var i={};if(t)for(var s=0;s<this.length;s++){var c=this[s][0];null!=c&&(i[c]=!0)}for(var p=0;p<e.length;p++){var l=[].concat(e[p]);t&&i[l[0]]||(void 0!==a&&(void 0===l[5]||(l[1]="@layer".concat(l[5].length>0?" ".concat(l[5]):""," {").concat(l[1],"}")),l[5]=a),o&&(l[2]&&(l[1]="@media ".concat(l[2]," {").concat(l[1],"}")),l[2]=o),n&&(l[4]?(l[1]="@supports (".concat(l[4],") {").concat(l[1],"}"),l[4]=n):l[4]="".concat(n)),r.push(l))}},r}},601(e){e.exports=function(e){return e[1]}},72(e){var r=[];function o(e){for(var o=-1,t=0;t<r.length;t++)if(r[t].identifier===e){o=t;break}return o}function t(e,t){for(var n={},a=[],i=0;i<e.length;i++){var s=e[i],c=t.base?s[0]+t.base:s[0],p=n[c]||0,l="".concat(c," ").concat(p);n[c]=p+1;var u=o(l),d={css:s[1],media:s[2],sourceMap:s[3],supports:s[4],layer:s[5]};if(-1!==u)r[u].references++,r[u].updater(d);else{var f=function(e,r){var o=r.domAPI(r);return o.update(e),function(r){r?(r.css!==e.css||r.media!==e.media||r.sourceMap!==e.sourceMap||r.supports!==e.supports||r.layer!==e.layer)&&o.update(e=r):o.remove()}}(d,t);t.byIndex=i,r.splice(i,0,{identifier:l,updater:f,references:1})}a.push(l)}return a}e.exports=function(e,n){var a=t(e=e||[],n=n||{});return function(e){e=e||[];for(var i=0;i<a.length;i++){var s=o(a[i]);r[s].references--}for(var c=t(e,n),p=0;p<a.length;p++){var l=o(a[p]);0===r[l].references&&(r[l].updater(),r.splice(l,1))}a=c}}},659(e){var r={};e.exports=function(e,o){var t=function(e){if(void 0===r[e]){var o=document.querySelector(e);if(window.HTMLIFrameElement&&o instanceof window.HTMLIFrameElement)try{o=o.contentDocument.head}catch(e){o=null}r[e]=o}return r[e]}(e);if(!t)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");t.appendChild(o)}},540(e){e.exports=function(e){var r=document.createElement("style");return e.setAttributes(r,e.attributes),e.insert(r,e.options),r}},56(e,r,o){e.exports=function(e){var r=o.nc;r&&e.setAttribute("nonce",r)}},206(e){e.exports=function(e){if("u"<typeof document)return{update:function(){},remove:function(){}};var r=e.insertStyleElement(e);return{update:function(o){var t,n,a;t="",o.supports&&(t+="@supports (".concat(o.supports,") {")),o.media&&(t+="@media ".concat(o.media," {")),(n=void 0!==o.layer)&&(t+="@layer".concat(o.layer.length>0?" ".concat(o.layer):""," {")),t+=o.css,n&&(t+="}"),o.media&&(t+="}"),o.supports&&(t+="}"),(a=o.sourceMap)&&"u">typeof btoa&&(t+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(a))))," */")),e.styleTagTransform(t,r,e.options)},remove:function(){var e;null===(e=r).parentNode||e.parentNode.removeChild(e)}}}},113(e){e.exports=function(e,r){if(r.styleSheet)r.styleSheet.cssText=e;else{for(;r.firstChild;)r.removeChild(r.firstChild);r.appendChild(document.createTextNode(e))}}},959(e,r,o){var t=o(72),n=o.n(t),a=o(206),i=o.n(a),s=o(659),c=o.n(s),p=o(56),l=o.n(p),u=o(540),d=o.n(u),f=o(113),v=o.n(f),m=o(646),h={};h.styleTagTransform=v(),h.setAttributes=l(),h.insert=c().bind(null,"head"),h.domAPI=i(),h.insertStyleElement=d(),n()(m.A,h),m.A&&m.A.locals&&m.A.locals}}]);