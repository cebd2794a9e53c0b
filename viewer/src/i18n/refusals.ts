/**
 * Why the API refused a flight's files, in Chinese (issue 22 item 9): the API writes each reason as
 * one English sentence (pipeline/src/core/flight-checks.ts, core/work-bounds.ts,
 * api/src/uploads/check-uploaded-rasters.ts). Each rule reads one sentence's figures back out and
 * says it in Chinese; a sentence no rule knows stays in English (refusals.test.ts runs the real
 * checks so that a new sentence without a rule fails there).
 */
type Rule = [RegExp, (m: string[]) => string];

const file = (name: string) => (name.startsWith('orthophoto') ? '正射影像' : '数字表面模型（DSM）');
/** How the checks name a file: "orthophoto (正射影像)" and "surface model (DSM)", or the bare word. */
const NAME = String.raw`(orthophoto \(正射影像\)|surface model \(DSM\)|orthophoto|surface model)`;
/** A pattern whose NAME stands for the file's name. */
const about = (source: string) => new RegExp(source.replaceAll('NAME', NAME));

const LOOKS_LIKE: Record<string, string> = {
  'a PNG image': 'PNG 图片', 'a JPEG photo': 'JPEG 照片', 'a PDF document': 'PDF 文档',
  'a ZIP archive (unpack it and upload the .tif inside)': 'ZIP 压缩包（请解压后上传其中的 .tif）',
  'a 7-Zip archive (unpack it and upload the .tif inside)': '7-Zip 压缩包（请解压后上传其中的 .tif）',
  'a gzip archive (unpack it and upload the .tif inside)': 'gzip 压缩包（请解压后上传其中的 .tif）',
  'an empty file': '空文件', 'a text file': '文本文件', 'a file of an unknown kind': '未知类型的文件',
};

const numberWords = (text: string) => text.replace(/([\d.]+) billion/, (_w, n: string) => `${Number(n) * 10} 亿`).replace(/([\d.]+) million/, (_w, n: string) => `${n} 百万`);
const height = (text: string) => (text === 'infinity' ? '正无穷' : text === 'minus infinity' ? '负无穷' : text.replace(/ m$/, ' 米'));

const RULES: Rule[] = [
  [about(String.raw`^The NAME is not a GeoTIFF: the file looks like (.+)\. Export the \1 as a GeoTIFF \(\.tif\) and upload that\.$`),
    (m) => `${file(m[1]!)}不是 GeoTIFF：该文件看起来是${LOOKS_LIKE[m[2]!] ?? m[2]}。请将${file(m[1]!)}导出为 GeoTIFF（.tif）后上传。`],
  [about(String.raw`^The NAME starts like a TIFF but cannot be opened: it is truncated or corrupt\. Upload it again\.$`),
    (m) => `${file(m[1]!)}开头是 TIFF，但无法打开：文件不完整或已损坏。请重新上传。`],
  [about(String.raw`^The NAME could not be read to the end: the file is truncated or corrupt\. Upload it again\.$`),
    (m) => `${file(m[1]!)}无法读到末尾：文件不完整或已损坏。请重新上传。`],
  [about(String.raw`^The NAME has no georeference`),
    (m) => `${file(m[1]!)}没有地理参考（缺少坐标系或像素到地图的变换）。请从摄影测量软件导出带地理参考的 GeoTIFF（旁边的 .tfw 或 .prj 文件不会一同上传：地理参考必须写在 GeoTIFF 内部）。`],
  [about(String.raw`^The NAME is labelled in degrees but its y values are not latitudes \((.+)\): latitude and longitude look swapped\.`),
    (m) => `${file(m[1]!)}标注为经纬度，但其 y 值不是纬度（${m[2]}）：经纬度似乎颠倒。请以经度为 x（东）、纬度为 y（北）重新导出。`],
  [about(String.raw`^The NAME is labelled in degrees \(such as WGS 84\) but its coordinates \((.+)\) are far outside`),
    (m) => `${file(m[1]!)}标注为经纬度（如 WGS 84），但其坐标（${m[2]}）远超经度 -180..180、纬度 -90..90：看起来是投影坐标系（UTM 或高斯-克吕格分带）的米制坐标被标错了坐标系。请按坐标实际所在的坐标系重新导出。`],
  [about(String.raw`^The NAME uses a coordinate system that cannot be interpreted\.`),
    (m) => `${file(m[1]!)}的坐标系无法识别。请重投影到 CGCS2000（EPSG:4490 或高斯-克吕格分带，如 EPSG:4549）或 WGS 84。`],
  [about(String.raw`^The NAME is (\d+) x (\d+) pixels, larger than the (\d+) pixel limit per side\. Split the flight into tiles\.$`),
    (m) => `${file(m[1]!)}为 ${m[2]} × ${m[3]} 像素，超过每边 ${m[4]} 像素的上限。请将航飞成果分块。`],
  [about(String.raw`^The NAME is only (\d+) x (\d+) pixels; at least (\d+) x (\d+) is needed\.$`),
    (m) => `${file(m[1]!)}只有 ${m[2]} × ${m[3]} 像素；至少需要 ${m[4]} × ${m[5]}。`],
  [/^The orthophoto has (\d+) band\(s\); a colour RGB \(3 bands\) or RGBA \(4 bands\) image is needed\.$/,
    (m) => `正射影像有 ${m[1]} 个波段；需要彩色 RGB（3 个波段）或 RGBA（4 个波段）影像。`],
  [/^The orthophoto's pixels are (\w+); 8-bit \(Byte\) or 16-bit \(UInt16\) colour is needed\.$/,
    (m) => `正射影像的像素类型为 ${m[1]}；需要 8 位（Byte）或 16 位（UInt16）彩色。`],
  [/^The surface model has (\d+) bands; a single band of heights in metres is needed\.$/,
    (m) => `数字表面模型（DSM）有 ${m[1]} 个波段；需要单波段、以米为单位的高程。`],
  [/^The surface model's pixels are complex numbers \((\w+)\)/,
    (m) => `数字表面模型（DSM）的像素是复数（${m[1]}），这是雷达干涉的输出；高程必须是实数，如 Float32 米。请将高程（DSM）导出为 Float32。`],
  [/^The surface model's pixels are (\w+); heights must be numbers such as Float32 metres/,
    (m) => `数字表面模型（DSM）的像素类型为 ${m[1]}；高程必须是数值，如 Float32 米（8 位影像是渲染图，不是表面模型）。`],
  [about(String.raw`^The NAME has a ground resolution of ([\d.]+) m per pixel; between ([\d.]+) and ([\d.]+) m is accepted\.$`),
    (m) => `${file(m[1]!)}的地面分辨率为每像素 ${m[2]} 米；可接受的范围是 ${m[3]} 至 ${m[4]} 米。`],
  [about(String.raw`^The NAME covers (\d+) km², more than the (\d+) km² limit of one flight\.$`),
    (m) => `${file(m[1]!)}覆盖 ${m[2]} 平方公里，超过单次航飞 ${m[3]} 平方公里的上限。`],
  [/^The surface model does not overlap the orthophoto at all/,
    () => '数字表面模型与正射影像完全不重叠：请检查两个文件是否属于同一次航飞、坐标系是否正确。'],
  [/^The surface model covers only (\d+)% of the orthophoto; at least (\d+)% is needed\.$/,
    (m) => `数字表面模型只覆盖正射影像的 ${m[1]}%；至少需要 ${m[2]}%。`],
  [/^The surface model \(DSM\) holds no heights/,
    () => '数字表面模型（DSM）没有任何高程：每个像素都是无数据值或 NaN。请从摄影测量软件重新导出，或不带表面模型创建航飞。'],
  [/^The surface model \(DSM\) holds impossible heights, from (.+?) to (.+?); heights on Earth lie between (-?\d+) and (\d+) m\./,
    (m) => `数字表面模型（DSM）含有不可能的高程，从 ${height(m[1]!)} 到 ${height(m[2]!)}；地球上的高程在 ${m[3]} 到 ${m[4]} 米之间。请检查导出的单位和无数据值（填充值必须声明为无数据值），然后重新导出。`],
  [about(String.raw`^The NAME declares (\d+) x (\d+) pixels \((.+?)\), more than the (.+?) pixels one flight's file may have \(FLIGHT_MAX_PIXELS\)\.`),
    (m) => `${file(m[1]!)}声明了 ${m[2]} × ${m[3]} 像素（${numberWords(m[4]!)}），超过单个航飞文件 ${numberWords(m[5]!)} 像素的上限（FLIGHT_MAX_PIXELS）。请将航飞分成几部分，或以较粗的分辨率导出。`],
  [about(String.raw`^The NAME holds data in only (\d+) of its (\d+) blocks \(([\d.]+)%\); the rest are empty, declared but never written\. Crop it to the area that was flown \(at most (\d+)% empty, FLIGHT_MAX_EMPTY_SHARE\)\.$`),
    (m) => `${file(m[1]!)}的 ${m[3]} 个数据块中只有 ${m[2]} 个有数据（${m[4]}%）；其余为空，只声明而从未写入。请裁剪到实际航飞的范围（空块至多 ${m[5]}%，FLIGHT_MAX_EMPTY_SHARE）。`],
  [/^This flight would take a worker about ([\d.]+) hours, more than the (\d+)-hour limit per flight \(FLIGHT_MAX_WORK_HOURS\)\. Split it into smaller flights\.$/,
    (m) => `处理这次航飞约需 ${m[1]} 小时，超过每次航飞 ${m[2]} 小时的上限（FLIGHT_MAX_WORK_HOURS）。请拆分为较小的航飞。`],
];

/** The refusal in Chinese when a rule knows it; otherwise the API's sentence as it is. */
export function refusalInChinese(sentence: string): string {
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(sentence.trim());
    if (m) return say([...m]);
  }
  return sentence;
}
