// Portal configuration: edit this file for a deployment (no build step:
// config.js keeps its name in build/portal and is revalidated on each load,
// so an edit there is seen at once; edit portal/config.js too, or the next
// `make portal` puts the old one back).
// The tile server must also be allowed in the CSP img-src of
// conf-examples/portal-security.conf.  Markers are drawn as vector
// shapes, so the map still works when no tile server is reachable.
export default {
  apiBase: '/api/v1',
  tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  tileAttribution: '© OpenStreetMap contributors',
  tileMaxZoom: 19,
  // Lai Châu ward, the province capital
  mapCenter: [22.396, 103.458],
  mapZoom: 9,
  timeZone: 'Asia/Ho_Chi_Minh',
  defaultLang: 'vi',
  // public.html preloads the first page with per_page=20: change both
  publicPageSize: 20,
  queueRefreshSeconds: 60,
  // how many reports the console asks the queue for (the server caps it)
  queueLimit: 200,

  // ------------------------------------------------------------ the province
  // Who runs the service: shown in every page's header and footer, so a
  // citizen can tell this is the province's official service.
  province: {
    vi: 'Tỉnh Lai Châu',
    en: 'Lai Chau Province',
  },
  operator: {
    vi: 'Trung tâm Giám sát, điều hành đô thị thông minh (IOC) tỉnh Lai Châu',
    en: 'Lai Chau Intelligent Operations Center (IOC)',
  },
  // the province's emblem (an image in portal/img/); the placeholder stands
  // in until the province supplies its own file
  emblem: 'img/emblem-placeholder.svg',
  hotline: '0213 3876 123',
  email: 'ioc@laichau.gov.vn',
  address: {
    vi: 'Trung tâm IOC, phường Tân Phong, tỉnh Lai Châu',
    en: 'IOC, Tan Phong ward, Lai Chau province',
  },
  // The privacy notice: what is kept, for how long, who sees it.  Say what
  // the deployment really does (pa_pii_key_file, retention, audit).
  privacy: {
    vi: [
      'Chúng tôi lưu nội dung phản ánh, ảnh/video, vị trí và thời điểm bạn gửi; họ tên, số điện thoại và thư điện tử của bạn được mã hóa khi lưu.',
      'Dữ liệu được lưu trong thời gian xử lý phản ánh và 5 năm sau khi có kết quả, theo quy định về lưu trữ hồ sơ; sau đó được xóa.',
      'Chỉ cán bộ Trung tâm IOC được xem thông tin liên hệ của bạn; cơ quan xử lý chỉ được xem khi bạn đồng ý. Mỗi lần xem đều được ghi lại.',
      'Khi công khai kết quả, ảnh được xóa thông tin vị trí/thiết bị; họ tên chỉ hiện khi bạn cho phép.',
    ],
    en: [
      'We keep the text, photos/videos, place and time you send; your name, phone number and e-mail are stored encrypted.',
      'The data is kept while the report is handled and for 5 years after its result, as the records rules require; then it is deleted.',
      'Only the IOC staff see your contact details; the handling agency sees them only if you agree. Every look is logged.',
      'Published photos are stripped of location and device data; your name is shown only if you allow it.',
    ],
  },

  // ------------------------------------------------------------ uploads
  // The same limits as the profile's pa_media_max_size / pa_media_max_count
  // / pa_media_types: the browser refuses a file before sending it.
  mediaMaxBytes: 50 * 1024 * 1024,
  mediaMaxCount: 10,
  // photos go up one by one as they are picked (POST/PATCH /api/v1/media),
  // in pieces of this size: a broken connection costs at most one piece
  uploadPieceBytes: 256 * 1024,
  // a photo older than this (hours) is likely refused (photo_too_old)
  photoMaxAgeHours: 24,
  // the province's boundary (GeoJSON, in portal/data/) for the warning
  // "this photo was taken outside the province"; empty: no such warning
  boundary: 'data/laichau.geojson',
};
