#!/usr/bin/env python3
"""Writes the sample page versions in this folder (run it from anywhere; it is deterministic).

en-news: an English article page with nav, cookie banner, ads, share bar and related links.
  v1 -> v2: only ads and related links change (nothing to record); v3: one figure edited;
  v4: retitled, a sentence added and one extended.
zh-portal: a table-layout Chinese portal page. v1 GBK declared gb2312; v2 the same article with
  another sidebar and no charset declaration; v3 a one-character edit (大势 -> 大肆), UTF-8 while
  declaring gb2312; v4 retitled and a sentence removed, GB18030.
mirror: an article wrapped by a git-scraping mirror (Markdown title, nav and promo lines, proxy
  addresses, share footer, tracking image). v2 changes only the wrapping; v3 edits one sentence.
"""
import os
os.chdir(os.path.dirname(os.path.abspath(__file__)))
for d in ('en-news','zh-portal','mirror'): os.makedirs(d, exist_ok=True)

def en(title, paras, ad, related):
    ps = "\n".join(f"      <p>{p}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | The Harbour Gazette</title>
  <meta property="og:title" content="{title}">
  <meta property="article:published_time" content="2026-03-14T08:30:00Z">
  <script>window.dataLayer = [];</script>
  <style>.promo {{ color: red }}</style>
</head>
<body>
  <header><a href="/">The Harbour Gazette</a>
    <nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
  </header>
  <div class="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Learn more</a></div>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By <span class="author">Mira Castellanos</span>, City Desk</p>
{ps}
      <div class="ad-slot" id="ad-mid">{ad}</div>
      <div class="share"><a href="#">Share on X</a> <a href="#">Share by email</a></div>
    </article>
    <aside class="related"><h2>Related</h2><ul>{related}</ul></aside>
  </main>
  <footer><p>&copy; 2026 The Harbour Gazette. All rights reserved.</p></footer>
</body>
</html>
"""

paras1 = [
 "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, ending months of debate over the crumbling 1930s structure.",
 "Engineers told councillors that the bridge could carry pedestrians and cyclists safely for at least another decade, but that heavy traffic was speeding up the corrosion of its steel frame.",
 "\u201cWe cannot keep patching it and hoping for the best,\u201d said Deputy Mayor Hana Okafor. \u201cThis is the responsible decision.\u201d",
 "Shop owners on Quay Street said the closure would cut them off from customers on the east bank. A petition against the plan has gathered 4,200 signatures.",
 "The council will spend 3.5 million on a shuttle bus service during the two-year transition.",
]
related1 = '<li><a href="/a1">Ferry fares to rise in June</a></li><li><a href="/a2">Five things to do this weekend</a></li>'
related2 = '<li><a href="/a3">Harbour festival returns</a></li><li><a href="/a4">Letters: the bridge debate</a></li><li><a href="/a5">Weather warning for the coast</a></li>'
paras2 = list(paras1)
paras2[3] = paras1[3].replace("4,200", "6,800")
paras3 = list(paras2)
paras3[4] = "The council will spend 3.5 million on a shuttle bus service during the two-year transition, and will review the decision in 2028."
paras3.insert(2, "The vote passed by nine votes to four.")
T = "Council votes to close harbour bridge to cars"
open('en-news/v1.html','w').write(en(T, paras1, "Advertisement: Summer sale at Dockside Furniture", related1))
open('en-news/v2.html','w').write(en(T, paras1, "Advertisement: New cars from 199 a month", related2))
open('en-news/v3.html','w').write(en(T, paras2, "Advertisement: New cars from 199 a month", related2))
open('en-news/v4.html','w').write(en("Harbour bridge to close to cars after divided vote", paras3, "Advertisement: Summer sale at Dockside Furniture", related1))

def zh(title, paras, charset_decl, hot):
    ps = "\n".join(f'<p>\u3000\u3000{p}</p>' for p in paras)
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_decl}">' if charset_decl else ''
    return f"""<html>
<head>
{meta}
<title>{title}_国内新闻_东方资讯网</title>
<meta name="keywords" content="新闻,国内">
</head>
<body>
<table width="960" border="0"><tr><td><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/finance">财经</a> | <a href="/sports">体育</a> | <a href="/ent">娱乐</a></td></tr></table>
<table width="960"><tr>
<td width="660" valign="top">
<div class="title"><h1>{title}</h1></div>
<div class="info">2026年03月14日 08:30　来源：东方资讯网　作者：林晓</div>
<div id="content">
{ps}
<p style="display:none">东方资讯网版权所有，未经许可不得转载</p>
</div>
<div class="editor">（责任编辑：王明）</div>
</td>
<td width="300" valign="top">
<div class="hot"><h3>热点新闻</h3><ul>{hot}</ul></div>
<div class="ad"><a href="http://ad.example/">【广告】投资理财 稳健收益</a></div>
</td>
</tr></table>
<div class="footer">关于我们 | 联系我们 | 网站地图<br>版权所有 2026 东方资讯网</div>
</body>
</html>
"""
zp1 = [
 "新华社北京3月13日电 国家统计局13日发布数据显示，今年前两个月，全国规模以上工业增加值同比增长5.2%，比去年全年加快0.4个百分点。",
 "国家统计局新闻发言人表示，当前经济运行总体平稳，但外部环境复杂严峻，国内需求仍显不足，经济回升向好的基础还需进一步巩固。",
 "分析人士指出，一些地方借机大势宣传所谓“开门红”，数据背后的结构性问题值得关注。",
 "数据显示，前两个月社会消费品零售总额同比增长4.1%，其中餐饮收入增长较快。",
]
zp2 = list(zp1); zp2[2] = zp1[2].replace("大势", "大肆")
zp3 = list(zp2); del zp3[2]
hot1 = '<li><a href="/1">春运返程客流高峰到来</a></li><li><a href="/2">多地发布暴雪预警</a></li>'
hot2 = '<li><a href="/3">两会代表热议民生话题</a></li><li><a href="/4">新能源汽车销量创新高</a></li>'
t1 = "统计局：前两月工业增加值增长5.2%"
t3 = "统计局：前两月规模以上工业增加值同比增长5.2%"
open('zh-portal/v1.html','wb').write(zh(t1, zp1, "gb2312", hot1).encode('gbk'))
open('zh-portal/v2.html','wb').write(zh(t1, zp1, None, hot2).encode('gbk'))
open('zh-portal/v3.html','wb').write(zh(t1, zp2, "gb2312", hot2).encode('utf-8'))
open('zh-portal/v4.html','wb').write(zh(t3, zp3, "gb18030", hot1).encode('gb18030'))

def mirror(title, paras, ip, promo):
    body = []
    for i, p in enumerate(paras):
        body.append(f' <p>\n  {p}\n  <span id="hideid" name="hideid" style="color:red;display:none;">\n   <span href="https://news.example.org">\n   </span>\n  </span>\n </p>')
        if i == 1:
            body.append(f"\n---\n\n#### [ 🔥  {promo}](http://{ip}:10000/videos/res1/index.html)\n\n#### [ 🎬  翻墙必看视频](http://{ip}:81/youtube.html)\n\n")
    body = "\n".join(body)
    return f"""### {title}
------------------------

#### [首页](../../README.md)  &nbsp;&nbsp;|&nbsp;&nbsp; [p5](../../indexes/p5.md)   &nbsp;&nbsp;|&nbsp;&nbsp; [热点推荐](../../indexes/热点推荐.md)  &nbsp;&nbsp;|&nbsp;&nbsp; [网站代理](http://{ip}:10080/gb/)



<div class="article_right">
 <p style="text-align:center">
  <img alt="会场外景。" src="https://img.news.example.org/pic/2026/03/a.jpg"/>
  <br>
   会场外景。（图片来源：资料图）
  </br>
 </p>
{body}
</div>

<hr/>
手机上长按并复制下列链接或二维码分享本文章：<br/>
https://github.com/mirror-example/news/blob/master/pages/p5/20260314.md <br/>
<img src="http://{ip}:8000/qrcode?url=p5/20260314.md" width="100px"/><br/>
原文地址（需翻墙访问）：https://news.example.org/news/gb/2026/03/14/20260314.html

------------------------
#### [首页](../../README.md)  &nbsp;&nbsp;|&nbsp;&nbsp; [网站代理](http://{ip}:10080/gb/)
<img src="http://{ip}:8000/t.gif?page=p5/20260314.md" width="0px" height="0px"/>
"""
mp1 = [
 "【新闻网2026年3月14日讯】（记者林晓综合报导）某省本周公布的财政数据显示，今年一季度多个地级市的土地出让收入同比大幅下降。",
 "有学者分析，地方政府对土地财政的依赖短期内难以改变，债务压力将继续上升。",
 "当地官员则表示，相关部门正在研究新的稳增长措施。",
]
mp3 = list(mp1); mp3[2] = "当地官员则表示，相关部门已经出台新的稳增长措施。"
MT = "土地出让收入大幅下降 地方债务压力上升"
open('mirror/v1.md','w').write(mirror(MT, mp1, "203.0.113.7", "禁书下载（政治、经济、历史）"))
# only the mirror's wrapping changed: proxy addresses and promo lines
open('mirror/v2.md','w').write(mirror(MT, mp1, "198.51.100.23", "纪录片推荐（历史、人权）"))
# a real one-sentence edit
open('mirror/v3.md','w').write(mirror(MT, mp3, "198.51.100.23", "纪录片推荐（历史、人权）"))
